from shop.auth import slot_customer_id


def test_the_customer_id_slot_holds_digits_or_no_customer():
    assert slot_customer_id("42") == 42
    assert slot_customer_id(42) == 42
    assert [slot_customer_id(value) for value in (None, "", "0", 0, "abc", "4.2", "-1")] == [None, None, 0, None,
                                                                                            None, None, None]
