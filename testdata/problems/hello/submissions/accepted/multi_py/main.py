import helper
helper.hi()
