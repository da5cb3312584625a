@checkout
Feature: Earn and redeem points during a checkout

  Background:
    Given a store "Downtown" with lanes "1" and "2"

  Scenario: Earn on a sale
    Given a member "Alice" with 0 points
    When "Alice" buys items worth 125.00 on lane "1"
    Then the receipt on lane "1" shows 125 points earned
    And "Alice" has 125 available points

  @needs_holds
  Scenario: Redeem, then cancel: the void releases every reserved point
    Given a member "Alice" with 1000 points
    And lane "1" starts a checkout for "Alice" with items worth 80.00
    When lane "1" applies 600 points
    Then "Alice" has 400 available points
    When lane "1" voids the checkout
    Then "Alice" has 1000 available points

  Scenario: Redeem and complete: points pay part, and earn only on what was paid
    Given a member "Alice" with 1000 points
    And lane "1" starts a checkout for "Alice" with items worth 50.00
    When lane "1" applies 1000 points
    Then lane "1" has 40.00 due
    When lane "1" takes payment and completes the sale
    Then the receipt on lane "1" shows 40 points earned and 1000 points redeemed
    And "Alice" has 40 available points

  Scenario: Insufficient balance
    Given a member "Alice" with 300 points
    And lane "1" starts a checkout for "Alice" with items worth 50.00
    When lane "1" applies 500 points
    Then the loyalty call failed with "insufficient points"
    And "Alice" has 300 available points

  @needs_holds
  Scenario: Two lanes race for the same points: only what exists can be spent
    Given a member "Alice" with 1000 points
    And lane "1" starts a checkout for "Alice" with items worth 90.00
    And lane "2" starts a checkout for "Alice" with items worth 90.00
    When lane "1" applies 700 points
    And lane "2" applies 700 points
    Then the loyalty call failed with "insufficient points"
    When lane "1" takes payment and completes the sale
    Then "Alice" has 383 available points

  @needs_hold_expiry @needs_control_plane
  Scenario: A hold expires mid-checkout
    Given a member "Alice" with 1000 points
    And lane "1" starts a checkout for "Alice" with items worth 50.00
    When lane "1" applies 500 points
    And 11 minutes pass
    Then "Alice" has 1000 available points
    When lane "1" takes payment and completes the sale
    Then the sale is refused because the hold is gone
