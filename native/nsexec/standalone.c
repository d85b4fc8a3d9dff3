/* berth-nsexec: the stage as its own executable, for engine code running under the JIT (dotnet test),
 * where berth's own binary is not the one running. The constructor in main.c does the work. */
#include <stdio.h>

int main(void)
{
    fputs("berth-nsexec: the container stage of berth; it is started by berth, not by hand\n", stderr);
    return 2;
}
