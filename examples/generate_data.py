"""Write the examples' data: synthetic one-minute BTCUSDT bars (geometric Brownian motion).

    python examples/generate_data.py                 # examples/data/btcusdt-1m.csv
    python examples/generate_data.py --bars 500000 --seed 7 --out /tmp/bars.csv

The bars are deterministic for a seed (see `shrivenquant.runtime.synthetic`); every bar opens
away from the previous close. The file is generated, not shipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shrivenquant.runtime.synthetic import DEFAULT_SEED, GbmSpec, gbm_bars, write_bars_csv

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Parse the arguments and write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000, help="number of bars")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=HERE / "data" / "btcusdt-1m.csv")
    args = parser.parse_args()
    path = write_bars_csv(gbm_bars(GbmSpec(count=args.bars, seed=args.seed)), args.out)
    print(f"wrote {args.bars:,} bars to {path}")


if __name__ == "__main__":
    main()
