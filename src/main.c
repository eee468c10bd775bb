/* placeholder main, replaced by the command table */
#include <stdio.h>
#include "oag_config.h"
int main(void)
{
    printf("oas2apigw %s\n", OAG_VERSION);
    return 0;
}
