from crmkit.text.pii import find_pii, is_bank_card, is_national_id, mask_pii


def test_national_id_needs_a_valid_check_digit_and_birth_date() -> None:
    assert is_national_id("11010519491231002X")
    assert not is_national_id("110105194912310021")  # wrong check digit
    assert not is_national_id("110105194913310020")  # month 13


def test_bank_card_is_luhn_valid_16_to_19_digits() -> None:
    assert is_bank_card("6222021234567890128")
    assert not is_bank_card("6222021234567890127")
    assert not is_bank_card("622202123456789")


def test_find_and_mask_in_free_text() -> None:
    text = "身份证11010519491231002X，卡号 6222 0212 3456 7890 128，电话13812345678"
    kinds = [m.kind for m in find_pii(text)]
    assert kinds == ["national_id", "bank_card"]
    masked = mask_pii(text)
    assert "11010519491231002X" not in masked and masked.count("002X") == 1
    assert "13812345678" in masked  # a phone is not PII of these kinds
    assert find_pii("订单号 20240310123456") == []
