#define MSG "Hello, World!"
