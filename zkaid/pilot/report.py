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

    # ------------------------------------------------------------------ output
    def table(self) -> str:
        """Plain text summary for the terminal."""
        lines = [
            f"households: {self.households}    credentials issued: {self.issued}    "
            f"enrolled: {self.enrolled_households}    wall time: {self.wall_seconds:.1f} s",
            f"duplicate attempts: {self.duplicates_total} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.duplicate_attempts.items()))})",
            f"  caught at the desk: {self.duplicates_caught_at_desk}    at sync: {self.duplicates_caught_at_sync}    "
            f"online: {self.duplicates_caught_online}    missed: {self.duplicates_missed}",
            f"false accepts: {self.false_accepts}    false rejects: {self.false_rejects}    rescans: {self.rescans}",
            "rejections by reason:",
        ]
        for reason, n in sorted(self.rejections.items()):
            lines.append(f"  {reason:40} {n:6d}")
        if self.attack_reasons:
            lines.append("attacks and the reason the desk gave:")
            for what, n in sorted(self.attack_reasons.items()):
                lines.append(f"  {what:40} {n:6d}")
        if self.wallet_refusals:
            lines.append("refused by the wallet (nothing disclosed):")
            for reason, n in sorted(self.wallet_refusals.items()):
                lines.append(f"  {reason:40} {n:6d}")
        if self.presentation_sizes:
            lines.append(
                f"presentation size: median {statistics.median(self.presentation_sizes):.0f} B, "
                f"max {max(self.presentation_sizes)} B; parts per QR: "
                + ", ".join(f"{k} part(s): {v}" for k, v in sorted(self.parts_per_presentation.items()))
            )
        for what, rate in self.throughput.items():
            lines.append(f"throughput: {what}: {rate:.1f}")
        lines.append(f"{'step':32} {'n':>6} {'median ms':>10} {'p95 ms':>10} {'total s':>9}")
        for step, s in self.timings.summary().items():
            lines.append(f"{step:32} {s['n']:6.0f} {s['median_ms']:10.2f} {s['p95_ms']:10.2f} {s['total_s']:9.2f}")
        if self.invariants:
            lines.append("invariants:")
            for name, ok in self.invariants.items():
                lines.append(f"  [{'ok' if ok else 'FAILED'}] {name}")
        return "\n".join(lines)

    def markdown(self) -> str:
        d = self.as_dict()
        out = [
            "# zkaid pilot report",
            "",
            f"{self.households} households, {len(self.config.get('registering_agencies', []))} registering "
            f"agencies, {len(self.config.get('program_agencies', []))} programme agencies, scope "
            f"`{self.config.get('scope')}`, backend `{self.config.get('backend')}`; wall time "
            f"**{self.wall_seconds:.1f} s**.",
            "",
            "## Invariants",
            "",
            *[f"- {'PASS' if ok else '**FAIL**'}: {name}" for name, ok in self.invariants.items()],
            "",
            "## Outcomes",
            "",
            "| measure | value |",
            "|---|---:|",
            f"| credentials issued | {self.issued} |",
            f"| households enrolled | {self.enrolled_households} |",
            f"| duplicate attempts | {self.duplicates_total} |",
            f"| caught at the desk (local ledger) | {self.duplicates_caught_at_desk} |",
            f"| caught at sync (registry) | {self.duplicates_caught_at_sync} |",
            f"| caught online | {self.duplicates_caught_online} |",
            f"| false accepts | {self.false_accepts} |",
            f"| false rejects | {self.false_rejects} |",
            f"| rescans needed | {self.rescans} |",
            "",
            "## Rejections by reason",
            "",
            "| reason | count |",
            "|---|---:|",
            *[f"| {r} | {n} |" for r, n in sorted(self.rejections.items())],
            *[f"| wallet refused: {r} | {n} |" for r, n in sorted(self.wallet_refusals.items())],
            "",
            "Attacks and the reason the desk gave:",
            "",
            "| attack -> reason | count |",
            "|---|---:|",
            *[f"| {r} | {n} |" for r, n in sorted(self.attack_reasons.items())],
            "",
            "## Presentations",
            "",
            f"Size median {d['presentation_size']['median']:.0f} B (min {d['presentation_size']['min']}, "
            f"max {d['presentation_size']['max']}). Parts per QR: "
            + ", ".join(f"{k}: {v}" for k, v in d["parts_per_presentation"].items()) + ".",
            "",
            "## Timings",
            "",
            "| step | n | median ms | p95 ms | total s |",
            "|---|---:|---:|---:|---:|",
            *[f"| {k} | {v['n']:.0f} | {v['median_ms']:.2f} | {v['p95_ms']:.2f} | {v['total_s']:.2f} |"
              for k, v in d["timings"].items()],
            "",
            "Throughput (whole pipeline, 2 worker processes for the QR path):",
            "",
            *[f"- {what}: {rate:.1f}" for what, rate in self.throughput.items()],
            "",
            "## Registry and sync",
            "",
            "```json",
            json.dumps({"registry": self.registry, "sync": self.sync}, indent=2, sort_keys=True, default=str),
            "```",
            "",
            "Charts: `sizes.png`, `timings.png`, `outcomes.png`.",
            "",
        ]
        return "\n".join(out)

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        p = folder / "report.json"
        p.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True, default=str) + "\n", "utf-8")
        written.append(p)
        p = folder / "report.md"
        p.write_text(self.markdown(), "utf-8")
        written.append(p)
        written.extend(self._charts(folder))
        return written

    def _charts(self, folder: Path) -> list[Path]:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        paths = []
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.hist(self.presentation_sizes or [0], bins=30, color="#2b6cb0")
        ax.axvline(1000, color="#c53030", linestyle="--", label="single-code limit (1,000 B)")
        ax.set_xlabel("presentation size (bytes)")
        ax.set_ylabel("presentations")
        ax.legend()
        ax.set_title("Presentation sizes")
        fig.tight_layout()
        paths.append(folder / "sizes.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)

        steps = self.timings.steps
        if steps:
            fig, ax = plt.subplots(figsize=(8, 4.5))
            names = list(steps)
            ax.boxplot([steps[n] for n in names], orientation="horizontal", showfliers=False)
            ax.set_yticks(range(1, len(names) + 1), names)
            ax.set_xlabel("milliseconds")
            ax.set_title("Time per step")
            fig.tight_layout()
            paths.append(folder / "timings.png")
            fig.savefig(paths[-1], dpi=100)
            plt.close(fig)

        labels = ["enrolled", "dup. at desk", "dup. at sync", "dup. online", *sorted(self.rejections)]
        values = [self.enrolled_households, self.duplicates_caught_at_desk, self.duplicates_caught_at_sync,
                  self.duplicates_caught_online, *[self.rejections[k] for k in sorted(self.rejections)]]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.barh(labels, values, color="#2f855a")
        ax.set_xlabel("count")
        ax.set_title("Outcomes")
        fig.tight_layout()
        paths.append(folder / "outcomes.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
        return paths
