print("Hello, World!"
