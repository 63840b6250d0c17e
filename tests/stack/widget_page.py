"""The web widget as a shopper uses it, driven by Playwright (its CSS selectors reach into the shadow root)."""

from playwright.sync_api import Page, expect

TURN_TIMEOUT = 30_000


class Widget:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.locator("#shopbot-widget .launcher")
        self.panel = page.locator("#shopbot-widget .panel")
        self.input = page.locator("#shopbot-text")
        self.replies = page.locator("#shopbot-log .msg.bot, #shopbot-log .msg.agent")
        self.shopper = page.locator("#shopbot-log .msg.shopper")
        self.typing = page.locator("#shopbot-widget .typing")
        self.banner = page.locator("#shopbot-widget .banner")
        self.quick_replies = page.locator("#shopbot-log .quick button")

    def open(self) -> "Widget":
        self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def send(self, text: str) -> str:
        """Type a message, press Enter; the assistant's new messages of that turn, joined."""
        before = self.replies.count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.new_replies(before)

    def click(self, title: str) -> str:
        before = self.replies.count()
        self.quick_replies.filter(has_text=title).click()
        return self.new_replies(before)

    def new_replies(self, before: int) -> str:
        expect(self.replies.nth(before)).to_be_visible(timeout=TURN_TIMEOUT)
        expect(self.typing).to_be_hidden(timeout=TURN_TIMEOUT)
        return "\n".join(self.replies.all_inner_texts()[before:])

    def sender_id(self) -> str:
        return self.page.evaluate("localStorage.getItem('shopbot-widget:sender')")
