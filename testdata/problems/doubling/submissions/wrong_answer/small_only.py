# right on the first pass (small numbers), wrong on the second
x = int(input())
print(2 * x if x < 100 else x)
