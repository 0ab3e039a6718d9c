#!/usr/bin/env python3
"""convviz entry point: ``python main.py [PROJECT.json]`` opens the app;
``python main.py describe PROJECT.json`` prints the shapes table.  See README.md."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from convviz.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
