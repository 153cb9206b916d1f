n = int(input())
print(*([n] + list(range(1, n))))
