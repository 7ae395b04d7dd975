"""Set the device up: service, agency and device, API key, round, request template,
trust anchor and trust list, request-signing key. Everything is stored on the device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from field_app.config import (
    DEFAULT_SCHEMA,
    FieldConfig,
    PredicateRule,
    RequestTemplate,
    SetupError,
    parse_list,
)
from field_app.i18n import LANGUAGES, Translator
from sdk.errors import ServiceError, TrustListError, ZkaidError

__all__ = ["FieldSetupScreen"]

FIELDS = ("service_url", "agency", "device_id", "api_key", "scope", "anchor", "schema", "disclose",
          "predicates", "purpose_en", "purpose_fr", "trust_list_file")


class FieldSetupScreen(Screen):  # Kivy ships no type hints
    status = StringProperty("")
    signing = StringProperty("")
    has_key = BooleanProperty(False)
    api_key_hint = StringProperty("")
    languages = LANGUAGES

    def on_pre_enter(self, *_: Any) -> None:
        self.load()

    def load(self) -> None:
        """Fill the form from the saved setup (the API key is never shown back)."""
        app = App.get_running_app()
        cfg = app.service.config
        t = cfg.template if cfg else RequestTemplate()
        values = {
            "service_url": cfg.service_url if cfg else "", "agency": cfg.agency if cfg else "",
            "device_id": cfg.device_id if cfg else "", "api_key": "", "scope": cfg.scope if cfg else "",
            "anchor": ", ".join(cfg.anchors) if cfg else "", "schema": t.schema,
            "disclose": ", ".join(t.disclose), "predicates": "\n".join(str(p) for p in t.predicates),
            "purpose_en": t.purpose.get("en", ""), "purpose_fr": t.purpose.get("fr", ""),
        }
        for name, value in values.items():
            self.ids[name].text = value
        self.api_key_hint = app.tr("setup.api_key_set") if app.service.has_api_key else ""
        self._show_signing()

    def _show_signing(self) -> None:
        """Whether requests are signed; an unregistered key shows what to register."""
        app = App.get_running_app()
        key = app.service.verifier_key()
        self.has_key = key is not None
        self.signing = app.tr(f"signing.{app.service.signing_status()}", kid=key.kid.hex() if key else "",
                              public=key.public_key.hex() if key else "")

    def form(self) -> dict[str, str]:
        return {name: self.ids[name].text for name in FIELDS}

    def _error(self, exc: ZkaidError | OSError) -> str:
        tr: Translator = App.get_running_app().tr
        reason = getattr(exc, "reason", "")
        key = f"setup.error.{reason}"
        return tr("setup.failed", error=tr(key) if reason and tr.has(key) else str(exc))

    def save(self) -> bool:
        app = App.get_running_app()
        f = self.form()
        try:
            old = app.service.config
            template = RequestTemplate(
                schema=f["schema"].strip() or DEFAULT_SCHEMA,
                disclose=parse_list(f["disclose"]),
                predicates=tuple(PredicateRule.parse(line) for line in f["predicates"].splitlines() if line.strip()),
                purpose={"en": f["purpose_en"].strip(), "fr": f["purpose_fr"].strip()},
                issuers=old.template.issuers if old else (),
                request_ttl=old.template.request_ttl if old else 900,
            )
            cfg = FieldConfig(
                agency=f["agency"].strip(), device_id=f["device_id"].strip(), scope=f["scope"].strip(),
                service_url=f["service_url"].strip(), anchors=tuple(a.lower() for a in parse_list(f["anchor"])),
                template=template, language=app.lang,
            )
            app.service.configure(cfg, api_key=f["api_key"].strip() or None)
        except (SetupError, ZkaidError) as exc:
            self.status = self._error(exc)
            return False
        self.ids["api_key"].text = ""
        self.status = app.tr("setup.saved")
        self.load()
        app.refresh_status()
        return True

    def load_trust_list_file(self) -> None:
        app = App.get_running_app()
        path = self.ids["trust_list_file"].text.strip()
        try:
            tl = app.service.import_trust_list(Path(path).read_bytes())
        except (TrustListError, SetupError, OSError) as exc:
            self.status = self._error(exc)
            return
        self.status = app.tr("setup.trust_list_loaded", sequence=tl.sequence)
        self.load()
        app.refresh_status()

    def download_trust_list(self) -> None:
        app = App.get_running_app()
        try:
            updated = app.service.refresh_trust_list()
        except (ServiceError, TrustListError, SetupError) as exc:
            self.status = self._error(exc)
            return
        tl = app.service.trust_list
        self.status = app.tr("setup.trust_list_loaded", sequence=tl.sequence) if updated and tl \
            else app.tr("setup.trust_list_current")
        self.load()
        app.refresh_status()

    def create_key(self) -> None:
        app = App.get_running_app()
        if app.service.verifier_key() is not None:
            return  # replacing a registered key would silently stop signing
        key = app.service.create_verifier_key()
        self.status = app.tr("setup.key_created", kid=key.kid.hex(), public=key.public_key.hex())
        self._show_signing()

    def set_language(self, lang: str) -> None:
        app = App.get_running_app()
        if lang == app.lang or lang not in LANGUAGES:
            return
        app.lang = lang
        cfg = app.service.config
        if cfg is not None and cfg.language != lang:
            app.service.configure(cfg.with_changes(language=lang))
        self.load()
