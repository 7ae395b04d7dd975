"""Type the PIN. Wrong PINs are counted; after a few, the pad waits (countdown)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from wallet_app.screens.widgets import WalletScreen
from wallet_app.storage import LockedOutError, WrongPinError


class UnlockScreen(WalletScreen):
    wait_text = StringProperty("")
    waiting = BooleanProperty(False)
    failed = BooleanProperty(False)  # after a failure, offer the recovery code

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        self.ids.pad.clear()
        self._check_wait()

    def on_leave(self, *_a: Any) -> None:
        Clock.unschedule(self._tick)

    def _check_wait(self) -> None:
        st = self.app.service.lock_status()
        if st.retry_after > 0:
            self.waiting = True
            self.wait_text = self.t("unlock.wait", seconds=st.retry_after)
            Clock.unschedule(self._tick)
            Clock.schedule_interval(self._tick, 1.0)
        else:
            self.waiting = False
            self.wait_text = ""

    def _tick(self, _dt: float) -> bool:
        self._check_wait()
        return bool(self.waiting)

    def try_pin(self, pin: str) -> None:
        self.error = ""
        self.run_async(lambda: self.app.service.unlock(pin), self._opened, self._failed)

    def _opened(self, _r: Any) -> None:
        self.app.go("home")

    def forgot(self) -> None:
        self.app.setup_mode = "restore"
        self.app.go("restore")

    def _failed(self, err: BaseException) -> None:
        self.failed = True
        if isinstance(err, WrongPinError):
            left = max(0, self.app.service.vault.policy.free_attempts - err.failures)
            self.error = self.t("unlock.wrong", left=left) if left else self.t("error.wrong_pin")
        elif not isinstance(err, LockedOutError):
            self.show_error(err)
        self._check_wait()
