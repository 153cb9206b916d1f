def hi():
    print("Hello, World!")
