import os
import sys

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)  # strategies, torch_oracle
sys.path.insert(0, os.path.dirname(HERE))  # main.py, ui/
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
