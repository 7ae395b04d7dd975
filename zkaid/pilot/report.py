"""The pilot report: one data structure, printed as a table, written as Markdown, JSON and PNG charts."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["PilotReport", "Timings"]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


@dataclass
class Timings:
    """Milliseconds per step, one list per step name."""

    steps: dict[str, list[float]] = field(default_factory=dict)

    def add(self, step: str, ms: float) -> None:
        self.steps.setdefault(step, []).append(ms)

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            k: {"n": len(v), "median_ms": statistics.median(v), "p95_ms": _pct(v, 0.95), "total_s": sum(v) / 1000}
            for k, v in self.steps.items() if v
        }


@dataclass
class PilotReport:
    config: dict[str, Any]
    households: int = 0
    issued: int = 0
    enrolled_households: int = 0
    honest_attempts: int = 0
    duplicate_attempts: Counter[str] = field(default_factory=Counter)
    duplicates_caught_at_desk: int = 0
    duplicates_caught_at_sync: int = 0
    duplicates_caught_online: int = 0
    duplicates_missed: int = 0
    attack_attempts: Counter[str] = field(default_factory=Counter)
    attack_reasons: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    wallet_refusals: Counter[str] = field(default_factory=Counter)
    false_accepts: int = 0
    false_rejects: int = 0
    rescans: int = 0
    presentation_sizes: list[int] = field(default_factory=list)
    parts_per_presentation: Counter[int] = field(default_factory=Counter)
    registry: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)
    timings: Timings = field(default_factory=Timings)
    throughput: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0
    invariants: dict[str, bool] = field(default_factory=dict)
    # Phases added by later features (lifecycle, linkage, referrals, ...): each phase module
    # records its counts under its own name and its invariants in ``phase_invariants``;
    # ``check_invariants`` merges them, so no phase edits another phase's code.
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)
    phase_invariants: dict[str, bool] = field(default_factory=dict)

    # ------------------------------------------------------------------ derived
    @property
    def duplicates_total(self) -> int:
        return sum(self.duplicate_attempts.values())

    @property
    def duplicates_caught(self) -> int:
        return self.duplicates_caught_at_desk + self.duplicates_caught_at_sync + self.duplicates_caught_online

    def check_invariants(self) -> dict[str, bool]:
        self.invariants = {
            "every duplicate attempt caught": self.duplicates_caught == self.duplicates_total
            and self.duplicates_missed == 0,
            "zero false accepts": self.false_accepts == 0,
            "every tampered, foreign or unreadable code rejected": all(
                self.rejections_for(kind) == n for kind, n in self.attack_attempts.items()
            ),
            "each household enrolled at most once in the registry": self.registry.get("enrollments", 0)
            <= self.enrolled_households,
            **self.phase_invariants,
        }
        return self.invariants

    def rejections_for(self, kind: str) -> int:
        return int(self.rejections.get(f"attack:{kind}", 0))

    def as_dict(self) -> dict[str, Any]:
        # dataclasses.asdict rebuilds a Counter from (key, value) pairs, which counts the
        # pairs: convert field by field instead.
        d: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            d[f.name] = dict(v) if isinstance(v, Counter) else v
        d["timings"] = self.timings.summary()
        d["duplicates_total"] = self.duplicates_total
        d["duplicates_caught"] = self.duplicates_caught
        d["presentation_size"] = {
            "median": statistics.median(self.presentation_sizes) if self.presentation_sizes else 0,
            "max": max(self.presentation_sizes, default=0),
            "min": min(self.presentation_sizes, default=0),
        }
        d.pop("presentation_sizes")
        d["parts_per_presentation"] = {str(k): v for k, v in sorted(self.parts_per_presentation.items())}
        return d

    # ------------------------------------------------------------------ accounting
    def accounting(self) -> list[tuple[str, int]]:
        """Where every household went, in mutually exclusive lines that add up to the
        households registered (the last line is what is left unexplained: 0 when all is told)."""
        attackers = sum(self.attack_attempts.values())
        refused = sum(self.wallet_refusals.values())
        lines = [
            ("households registered", self.households),
            ("cards issued", self.issued),
            ("enrolled for assistance", self.enrolled_households),
            ("their phone refused to answer (card expired or a condition not met)", refused),
            ("turned away although genuine", self.false_rejects),
            ("showed a fake, copied, altered or unreadable code (simulated fraud)", attackers),
        ]
        rest = self.issued - self.enrolled_households - refused - self.false_rejects - attackers
        lines.append(("unexplained", rest))
        return lines

    def duplicate_lines(self) -> list[tuple[str, int]]:
        return [
            ("tried to enroll a second time", self.duplicates_total),
            ("stopped at the desk (the device already had them)", self.duplicates_caught_at_desk),
            ("stopped when the desks synced with the registry", self.duplicates_caught_at_sync),
            ("stopped by an online check", self.duplicates_caught_online),
            ("not stopped", self.duplicates_missed),
        ]

    def summary(self) -> list[str]:
        """The one-page summary, in words a programme manager uses."""
        attackers = sum(self.attack_attempts.values())
        ok = all(self.invariants.values()) if self.invariants else False
        regs = len(self.config.get("registering_agencies", []))
        progs = len(self.config.get("program_agencies", []))
        devices = self.config.get("devices_per_agency", 0) * progs
        out = [
            f"{self.households} households were registered by {regs} agencies and received a card on their "
            f"phone. {progs} agencies then ran one assistance round (\"{self.config.get('scope')}\") with "
            f"{devices} offline field devices and online desks.",
            f"{self.enrolled_households} households were enrolled for assistance. "
            + (f"{sum(self.wallet_refusals.values())} phones refused to answer because the card had expired or did "
               "not meet a condition; " if self.wallet_refusals else "")
            + f"{attackers} simulated fraud attempts (altered, copied, foreign or unreadable codes) were all "
            + ("refused." if self.rejections_for_attacks() == attackers else "checked (see below: not all refused).")
            + (f" {self.false_rejects} genuine people were turned away." if self.false_rejects else
               " No genuine person was turned away."),
            f"{self.duplicates_total} households tried to enroll a second time: {self.duplicates_caught_at_desk} were "
            f"stopped at the desk, {self.duplicates_caught_at_sync} when the devices synced, "
            f"{self.duplicates_caught_online} by an online check, and {self.duplicates_missed} were not stopped.",
            f"Nobody was paid twice: {'yes' if self.false_accepts == 0 and self.duplicates_missed == 0 else 'NO'}. "
            f"All checks of this pilot {'passed' if ok else 'did NOT pass'}.",
        ]
        for name, counts in self.phases.items():
            words = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if isinstance(v, int | float))
            if words:
                out.append(f"{name.capitalize()}: {words}.")
        sizes = self.presentation_sizes
        if sizes:
            out.append(
                f"A person's answer is a QR code of about {statistics.median(sizes):.0f} bytes; the whole round of "
                f"{self.households} households took {self.wall_seconds:.0f} seconds from start to end on this machine "
                "(wall clock, including the simulated cameras)."
            )
        return out

    def rejections_for_attacks(self) -> int:
        return sum(self.rejections_for(kind) for kind in self.attack_attempts)

    # ------------------------------------------------------------------ output
    def table(self) -> str:
        """Plain text summary for the terminal."""
        lines = [*self.summary(), ""]
        lines.append("where every household went:")
        for label, n in self.accounting():
            lines.append(f"  {label:72} {n:6d}")
        lines.append("second attempts:")
        for label, n in self.duplicate_lines():
            lines.append(f"  {label:72} {n:6d}")
        if self.attack_reasons:
            lines.append("fraud attempts and what the desk said:")
            for what, n in sorted(self.attack_reasons.items()):
                kind, _, reason = what.partition(" -> ")
                lines.append(f"  {_ATTACK_WORDS.get(kind, kind) + ': ' + reason_words(reason):72} {n:6d}")
        if self.wallet_refusals:
            lines.append("refused by the phone (nothing was shown to anyone):")
            for reason, n in sorted(self.wallet_refusals.items()):
                lines.append(f"  {reason_words(reason):72} {n:6d}")
        for name, counts in self.phases.items():
            lines.append(f"{name}:")
            for k, v in counts.items():
                lines.append(f"  {k.replace('_', ' '):72} {v!s:>6}")
        lines.append(f"{'step':40} {'n':>6} {'typical ms':>10} {'slow ms':>10}")
        for step, s in self._step_summary().items():
            lines.append(f"{step:40} {s['n']:6.0f} {s['median_ms']:10.2f} {s['p95_ms']:10.2f}")
        lines.append(f"wall time: {self.wall_seconds:.1f} s")
        if self.invariants:
            lines.append("checks:")
            for name, ok in self.invariants.items():
                lines.append(f"  [{'ok' if ok else 'FAILED'}] {name}")
        return "\n".join(lines)

    def _step_summary(self) -> dict[str, dict[str, float]]:
        return {k: v for k, v in self.timings.summary().items() if not k.startswith("whole pilot")}

    def markdown(self) -> str:
        return "\n".join(self._document())

    def html(self, charts: dict[str, bytes] | None = None) -> str:
        """A self-contained HTML page: the same content, charts embedded."""
        import base64
        import html as h

        body = []
        for kind, payload in self._blocks(charts or {}):
            if kind == "h1":
                body.append(f"<h1>{h.escape(payload)}</h1>")
            elif kind == "h2":
                body.append(f"<h2>{h.escape(payload)}</h2>")
            elif kind == "p":
                body.append(f"<p>{h.escape(payload)}</p>")
            elif kind == "checks":
                body.append("<ul class='checks'>" + "".join(
                    f"<li class='{'ok' if ok else 'fail'}'>{'PASS' if ok else 'FAIL'}: {h.escape(n)}</li>"
                    for n, ok in payload) + "</ul>")
            elif kind == "table":
                header, rows = payload
                body.append("<table><tr>" + "".join(f"<th>{h.escape(c)}</th>" for c in header) + "</tr>" + "".join(
                    "<tr>" + "".join(f"<td>{h.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
                    + "</table>")
            elif kind == "img":
                name, data = payload
                body.append(f"<figure><img alt='{h.escape(name)}' src='data:image/png;base64,"
                            f"{base64.b64encode(data).decode()}'><figcaption>{h.escape(name)}</figcaption></figure>")
        style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5;color:#1a202c}"
                 "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #cbd5e0;padding:.3em .7em}"
                 "td:last-child{text-align:right}li.ok{color:#276749}li.fail{color:#c53030;font-weight:bold}"
                 "img{max-width:100%}")
        return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>zkaid pilot report</title>"
                f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")

    def _document(self) -> list[str]:
        out: list[str] = []
        for kind, payload in self._blocks({}):
            if kind == "h1":
                out += [f"# {payload}", ""]
            elif kind == "h2":
                out += [f"## {payload}", ""]
            elif kind == "p":
                out += [payload, ""]
            elif kind == "checks":
                out += [f"- {'PASS' if ok else '**FAIL**'}: {n}" for n, ok in payload] + [""]
            elif kind == "table":
                header, rows = payload
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
                out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
                out.append("")
        out += ["Charts: `outcomes.png`, `sizes.png`, `timings.png`; the same report with the charts inside: "
                "`report.html`; every figure for scripts: `report.json`.", ""]
        return out

    def _blocks(self, charts: dict[str, bytes]) -> list[tuple[str, Any]]:
        """The report's content once, rendered as Markdown or HTML."""
        b: list[tuple[str, Any]] = [("h1", "zkaid pilot report"), ("h2", "Summary")]
        b += [("p", line) for line in self.summary()]
        b.append(("checks", list(self.invariants.items())))
        b += [("h2", "Where every household went"),
              ("p", "Each household is counted once, in the line of what finally happened to it."),
              ("table", (["", "households"], [list(r) for r in self.accounting()]))]
        if "outcomes.png" in charts:
            b.append(("img", ("outcomes.png", charts["outcomes.png"])))
        b += [("h2", "People who tried to enroll twice"),
              ("p", "These are second visits by households already enrolled. The registry lists "
                    f"{self.registry.get('duplicate_pseudonyms', 0)} people as enrolled twice: those who were accepted "
                    "by two offline devices before the devices synced. The others were stopped at a desk before "
                    "anything was written."),
              ("table", (["", "people"], [list(r) for r in self.duplicate_lines()]))]
        if self.attack_reasons or self.wallet_refusals:
            rows = [[_ATTACK_WORDS.get(k.partition(" -> ")[0], k.partition(" -> ")[0]),
                     reason_words(k.partition(" -> ")[2]), n] for k, n in sorted(self.attack_reasons.items())]
            rows += [["phone refused to answer", reason_words(r), n] for r, n in sorted(self.wallet_refusals.items())]
            b += [("h2", "Refusals and what the desk said"), ("table", (["what happened", "what the desk said", "people"], rows))]
        for name, counts in self.phases.items():
            b += [("h2", name.capitalize()),
                  ("table", (["", "count"], [[k.replace("_", " "), v] for k, v in counts.items()]))]
        b += [("h2", "Speed"),
              ("p", "Typical is the median; slow is the time 95 in 100 people were faster than. The QR code is "
                    f"the answer a phone shows: median {statistics.median(self.presentation_sizes) if self.presentation_sizes else 0:.0f} "
                    "bytes; answers above 1,000 bytes are shown as a short animation of several codes."),
              ("table", (["step", "times", "typical (ms)", "slow (ms)"],
                         [[k, f"{v['n']:.0f}", f"{v['median_ms']:.1f}", f"{v['p95_ms']:.1f}"]
                          for k, v in self._step_summary().items()]))]
        b += [("p", f"{what}: {rate:.1f}") for what, rate in self.throughput.items()]
        for name in ("sizes.png", "timings.png"):
            if name in charts:
                b.append(("img", (name, charts[name])))
        b.append(("p", f"Technical: round identifier {self.config.get('scope')}, curve backend "
                       f"{self.config.get('backend')}, seed {self.config.get('seed')}, wall time {self.wall_seconds:.1f} s; "
                       f"registry totals {json.dumps(self.registry, sort_keys=True, default=str)}."))
        return b

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        p = folder / "report.json"
        p.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True, default=str) + "\n", "utf-8")
        written.append(p)
        p = folder / "report.md"
        p.write_text(self.markdown(), "utf-8")
        written.append(p)
        charts = self._charts(folder)
        written.extend(charts)
        p = folder / "report.html"
        p.write_text(self.html({c.name: c.read_bytes() for c in charts}), "utf-8")
        written.append(p)
        return written

    def _charts(self, folder: Path) -> list[Path]:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        paths = []
        # 1. where every household went (each counted once), and second attempts
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
        acc = [(label, n) for label, n in self.accounting()[2:] if n or label != "unexplained"]
        short = {"enrolled for assistance": "enrolled", "turned away although genuine": "turned away (genuine)"}
        ax1.barh([short.get(lbl, lbl.split(" (")[0]) for lbl, _ in acc][::-1], [n for _, n in acc][::-1],
                 color=["#2f855a" if i == len(acc) - 1 else "#a0aec0" for i in range(len(acc))])
        for i, (_, n) in enumerate(acc[::-1]):
            ax1.text(n, i, f" {n}", va="center")
        ax1.set_title(f"Where the {self.households} households went")
        ax1.set_xlabel("households")
        dup = self.duplicate_lines()[1:]
        ax2.bar([lbl.split(" (")[0].replace("stopped ", "").replace("when the desks synced with the registry", "at sync")
                 for lbl, _ in dup], [n for _, n in dup], color=["#2b6cb0", "#2b6cb0", "#2b6cb0", "#c53030"])
        for i, (_, n) in enumerate(dup):
            ax2.text(i, n, str(n), ha="center", va="bottom")
        ax2.yaxis.get_major_locator().set_params(integer=True)
        ax2.set_title(f"{self.duplicates_total} second attempts")
        ax2.tick_params(axis="x", labelrotation=20)
        fig.tight_layout()
        paths.append(folder / "outcomes.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

        # 2. answer sizes: one bar per size when there are few distinct sizes
        fig, ax = plt.subplots(figsize=(7, 3.6))
        sizes = Counter(self.presentation_sizes)
        if 0 < len(sizes) <= 12:
            keys = sorted(sizes)
            ax.bar([f"{k:,} B" for k in keys], [sizes[k] for k in keys], color="#2b6cb0")
            ax.set_xlabel("answer size (bytes); above 1,000 B the phone shows several codes in turn")
        else:
            ax.hist(self.presentation_sizes or [0], bins=30, color="#2b6cb0")
            ax.axvline(1000, color="#c53030", linestyle="--", label="one-code limit (1,000 B)")
            ax.legend()
            ax.set_xlabel("answer size (bytes)")
        ax.set_ylabel("answers")
        ax.set_title("Size of the answers people showed")
        fig.tight_layout()
        paths.append(folder / "sizes.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

        # 3. time per step, without the whole-pilot total that would flatten the rest
        steps = {k: v for k, v in self.timings.steps.items() if not k.startswith("whole pilot") and v}
        fig, ax = plt.subplots(figsize=(8, 4.5))
        if steps:
            names = list(steps)
            ax.boxplot([steps[n] for n in names], orientation="horizontal", showfliers=False)
            ax.set_yticks(range(1, len(names) + 1), names)
            if max(max(v) for v in steps.values()) > 20 * min(statistics.median(v) for v in steps.values()):
                ax.set_xscale("log")
        ax.set_xlabel("milliseconds per person")
        ax.set_title("Time per step")
        fig.tight_layout()
        paths.append(folder / "timings.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
        return paths


_ATTACK_WORDS = {
    "tamper": "altered code",
    "foreign": "not a zkaid code",
    "unreadable": "unreadable code",
    "replay": "copy of someone else's answer",
}


def reason_words(reason: str) -> str:
    """The field app's own English headline for a reason code, so the report and the desk use
    the same words; an unknown code is shown as such."""
    words = _app_words("field_app").get(f"headline.{reason}") or _app_words("wallet_app").get(f"error.{reason}")
    return f"{words} ({reason})" if words else f"other reason: {reason}"


def _app_words(app: str) -> dict[str, str]:
    from importlib.resources import files

    try:
        data = json.loads(files(app).joinpath("i18n", "en.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}
