@members
Feature: Identify and enroll loyalty members at the till

  Background:
    Given a store "Downtown" with lanes "1" and "2"

  Scenario Outline: Identify an existing member by <kind>
    Given a member "Alice" with 1200 points
    When lane "1" identifies "Alice" by <kind>
    Then lane "1" has identified "Alice"
    And "Alice" has 1200 available points

    Examples:
      | kind      |
      | member id |
      | mobile    |
      | email     |

  @needs_identify_by_card
  Scenario: Identify an existing member by loyalty card
    Given a member "Alice" with 300 points
    When lane "1" identifies "Alice" by card
    Then lane "1" has identified "Alice"

  Scenario: An unknown customer is offered enrolment, then found
    When lane "1" looks up the unknown mobile "+201099999999"
    Then the loyalty call failed with "member not found"
    When lane "1" enrolls "Carol" with mobile "+201099999999"
    Then lane "1" has identified "Carol"
    And "Carol" has 0 available points

  @needs_pending @needs_control_plane
  Scenario: The balance shows available, pending and next-expiring points
    Given the program keeps earned points pending for 14 days
    And points expire 365 days after they become available
    And a member "Alice" with 800 points
    Then "Alice" has 0 available points
    And "Alice" has 800 pending points
    When 14 days pass
    And "Alice" buys items worth 250.00 on lane "1"
    Then "Alice" has 800 available points
    And "Alice" has 250 pending points
    And "Alice" has 800 points expiring next
