# Strict warnings for everything Atoll writes, kernel and host alike.
set(ATOLL_WARNINGS
  -Wall -Wextra -Werror -Wshadow -Wundef -Wimplicit-fallthrough
  -Wnon-virtual-dtor -Wnull-dereference -Wdouble-promotion -Wformat=2)
