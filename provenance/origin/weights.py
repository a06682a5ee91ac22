"""The fitted weights of origin estimation, read from weights.json.

`benchmarks/fit_lineage.py --write` fits them on the training half of the generated
lineage set and writes the file; benchmarks/RESULTS.md ("## Origin") has the held-out
check. Nothing here is chosen by hand.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Weights:
    """Direction-signal weights and the lineage model's fitted parameters."""

    signals: dict[str, float]  # signal name -> weight in the direction log-odds
    origin_temperature: float  # origin confidence: softmax(origin_temperature * normalised scores)
    origin_size_power: float  # a member's summed log-odds are divided by (members - 1) ** this
    parent_temperature: float  # parent choice: softmax(parent_temperature * candidate scores)
    parent_coverage: float  # weight of log(share of d's 3-word runs found in the candidate)
    parent_variant: float  # penalty per word the candidate spells differently from d
    parent_quote: float  # weight of log(1 + d's quoted 3-grams the candidate has): quotes are not reworded
    edge_scale: float  # Platt scaling of edge (direction) probabilities: sigmoid(scale * logit), no shift
    edge_shift: float
    # Platt scaling of the parent choice among earlier members, sigmoid(scale * logit(softmax) + shift):
    # the softmax over candidates is a ranking, not a probability, until scaled on families with known parents
    parent_scale: float = 1.0
    parent_shift: float = 0.0

    @classmethod
    def from_json(cls, text: str) -> Weights:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def source_path() -> Path:
    """weights.json in the source tree (where the fit script writes it)."""
    return Path(__file__).with_name("weights.json")


FITTED = Weights.from_json(resources.files(__package__).joinpath("weights.json").read_text(encoding="utf-8"))
