#include <stdio.h>
#include "msg.h"
int main(void){puts(MSG);return 0;}
