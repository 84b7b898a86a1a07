"""Host-side tools for Atoll: the ./atoll front door, QEMU runner, boot tests.

Standard library only. Each module does one thing:
  ui         progress lines and the error type every verb reports
  paths      where the repository, build tree and kernel images are
  deps       Debian packages the build and tests need
  build      cmake configure + build, quiet unless it fails
  exitstatus QEMU exit code -> what happened to the OS
  qemu       the one QEMU command line, and running it
  accel      KVM probe: use KVM only when it actually boots the kernel
  bootlog    parsing the kernel's serial log
  iso        bootable GRUB ISO (BIOS + UEFI)
  configs    boot-test configurations
  boottest   CTest entry point for boot tests
  ctestrun   ctest with compact output
  cli        argument parsing for ./atoll
"""
