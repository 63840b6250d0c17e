class ShopError(Exception):
    """Base of the shop package's errors."""


class OrderNotFound(ShopError):
    pass


class OrderNotCancellable(ShopError):
    def __init__(self, number: str, status: str) -> None:
        super().__init__(f"order {number} is {status} and can no longer be cancelled")
        self.number = number
        self.status = status


class OrderNotConfirmable(ShopError):
    def __init__(self, number: str, status: str) -> None:
        super().__init__(f"order {number} is {status} and can no longer be confirmed")
        self.number = number
        self.status = status
