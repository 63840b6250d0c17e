import pytest

from tests.gateway.conftest import client_without_rasa  # noqa: F401  (the gateway in-process, Rasa down)


@pytest.fixture
def console(client_without_rasa):  # noqa: F811
    return client_without_rasa
