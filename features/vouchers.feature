@vouchers @needs_control_plane
Feature: Vouchers are burned once

  Background:
    Given a store "Downtown" with lanes "1" and "2"
    And a member "Alice" with 0 points

  @needs_voucher_validate
  Scenario: Validate without burning, then burn once
    Given "Alice" holds a single-use voucher "SAVE10" worth 10.00
    When lane "1" validates voucher "SAVE10" for "Alice"
    And lane "1" validates voucher "SAVE10" for "Alice"
    Then the voucher is valid
    When "Alice" pays with voucher "SAVE10" for items worth 50.00 on lane "1"
    Then the receipt on lane "1" shows 40 points earned
    When "Alice" pays with voucher "SAVE10" for items worth 50.00 on lane "2"
    Then the loyalty call failed with "voucher used"

  Scenario: Two lanes burn one code: exactly one wins
    Given "Alice" holds a single-use voucher "ONCE" worth 5.00
    When lanes "1" and "2" both complete a sale for "Alice" with voucher "ONCE"
    Then exactly one of the two sales used the voucher
