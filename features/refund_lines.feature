@refunds
Feature: Refund by lines

  Background:
    Given a store "Downtown" with lanes "1" and "2"
    And a member "Alice" with 0 points

  Scenario: Returning lines revokes the points those lines earned
    When lane "1" sells "Alice" 2 "SKU-A" at 30.00 and 1 "SKU-B" at 40.00
    Then "Alice" has 100 available points
    When lane "1" refunds 1 "SKU-A" from the sale
    Then "Alice" has 70 available points
    When lane "1" refunds 1 "SKU-B" from the sale
    Then "Alice" has 30 available points
