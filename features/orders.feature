@orders
Feature: Orders are awarded once, whatever the POS retries

  Background:
    Given a store "Downtown" with lanes "1" and "2"

  Scenario: A duplicate order id with other content is rejected
    Given a member "Alice" with 0 points
    When "Alice" buys items worth 100.00 on lane "1" as order "ORD-1"
    And "Alice" buys items worth 30.00 on lane "2" as order "ORD-1"
    Then the loyalty call failed with "duplicate order"
    And "Alice" has 100 available points

  Scenario: The same sale sent twice is awarded once
    Given a member "Alice" with 0 points
    When "Alice" buys items worth 100.00 on lane "1" as order "ORD-2"
    And lane "1" sends the same sale again
    Then "Alice" has 100 available points

  @needs_control_plane
  Scenario: A retry after a timeout reuses the ids and is never awarded twice
    Given a member "Alice" with 0 points
    And the loyalty system will lose the response to the next sale
    When "Alice" buys items worth 60.00 on lane "1"
    Then the POS retried 1 time
    And "Alice" has 60 available points

  @needs_control_plane
  Scenario: A 429 is answered by backing off
    Given a member "Alice" with 500 points
    And the loyalty system answers the next 2 calls with "too many requests"
    When lane "1" identifies "Alice" by member id
    Then lane "1" has identified "Alice"
    And the POS backed off 2 times, honouring Retry-After
