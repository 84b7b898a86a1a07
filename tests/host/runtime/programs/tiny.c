// The smallest static program: one function, one data word, no libc.
static volatile int counter = 1;

void _start(void)
{
    for (;;) {
        counter = counter + 1;
        __asm__ volatile("pause");
    }
}
