print(500, flush=True)
reply = input()
raise SystemExit(7)
