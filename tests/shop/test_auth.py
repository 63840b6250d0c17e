import pytest

from shop.auth import InvalidCustomerToken, create_customer_token, verify_customer_token


def test_a_signed_token_names_its_customer():
    assert verify_customer_token(create_customer_token(42)) == 42


@pytest.mark.parametrize("mangle", [
    lambda t: t.replace(t.split(".")[0], "43", 1),   # another customer id
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # signature changed
    lambda t: "not-a-token",
    lambda t: "",
])
def test_tampered_tokens_are_rejected(mangle):
    with pytest.raises(InvalidCustomerToken):
        verify_customer_token(mangle(create_customer_token(42)))


def test_expired_tokens_are_rejected():
    with pytest.raises(InvalidCustomerToken, match="expired"):
        verify_customer_token(create_customer_token(42, ttl_seconds=-1))
