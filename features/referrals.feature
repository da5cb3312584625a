@referrals @needs_referrals
Feature: Referral credited on the first purchase only

  Background:
    Given a store "Downtown" with lanes "1" and "2"
    And a member "Alice" with 0 points

  Scenario: Referral on first purchase, not on the second
    Given a member "Bob" referred by "Alice"
    When "Bob" buys items worth 20.00 on lane "1"
    Then "Alice" has 100 available points
    And "Bob" has 70 available points
    When "Bob" buys items worth 20.00 on lane "2"
    Then "Alice" has 100 available points

  Scenario: Self-referral is never credited
    When "Alice" buys items worth 20.00 on lane "1" using her own referral code
    Then "Alice" received no referral reward
