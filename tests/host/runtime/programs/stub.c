// A shared library that exists only so dynamic.c links dynamically (and gets PT_INTERP and PT_DYNAMIC).
int stub_value(void)
{
    return 42;
}
