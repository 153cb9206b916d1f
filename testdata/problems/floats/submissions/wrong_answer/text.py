print("one third")
