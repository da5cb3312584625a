@refunds
Feature: Refunds revoke earned points and restore redeemed points proportionally

  Background:
    Given refunds restore redeemed points in proportion to the money refunded
    And a store "Downtown" with lanes "1" and "2"
    And a member "Alice" with 1000 points
    And lane "1" starts a checkout for "Alice" with items worth 100.00
    And lane "1" applies 1000 points
    And lane "1" takes payment and completes the sale

  Scenario: Full refund
    Given "Alice" has 90 available points
    When lane "1" refunds the sale in full
    Then "Alice" has 1000 available points

  Scenario Outline: Two partial refunds
    When lane "1" refunds <first> of the sale
    Then "Alice" has <after_first> available points
    When lane "1" refunds <second> of the sale
    Then "Alice" has <after_second> available points

    Examples:
      | first | after_first | second | after_second |
      | 45.00 | 545         | 45.00  | 1000         |
      | 30.00 | 393         | 60.00  | 1000         |

  Scenario: A refund never returns more than was paid
    When lane "1" refunds 95.00 of the sale
    Then at most 90.00 was refunded
    When lane "1" refunds the sale in full
    Then "Alice" has 1000 available points
