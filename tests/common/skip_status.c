/* skip_status.c - test_skip.h's verdict as an exit status, for test_skip_rule.sh: exits with what a test program
 * that cannot run here would exit with. */
#include "test_skip.h"

int main(void)
{
    return test_skip_status("this machine lacks the tool (a check of the skip rule)");
}
