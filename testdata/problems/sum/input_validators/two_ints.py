# Input validator (Kattis convention): exit 42 when the input is valid.
import re, sys
data = sys.stdin.read()
m = re.fullmatch(r"(-?\d+) (-?\d+)\n", data)
if not m or not all(abs(int(x)) <= 2 * 10**9 for x in m.groups()):
    print("expected one line 'a b' with |a|, |b| <= 2e9", file=sys.stderr)
    sys.exit(43)
sys.exit(42)
