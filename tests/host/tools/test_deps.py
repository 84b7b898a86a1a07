import unittest
from unittest import mock

from atoll import deps
from atoll.ui import AtollError

DPKG_OUTPUT = ("clang install ok installed\n"
               "lld deinstall ok config-files\n"
               "spin hold ok installed\n"
               "cmake install ok half-configured\n")


class Done:
    def __init__(self, returncode=0, stdout=""):
        self.returncode, self.stdout = returncode, stdout


class StatusTest(unittest.TestCase):
    def test_parse_status(self):
        self.assertEqual(deps.parse_status(DPKG_OUTPUT), {"clang", "spin"})

    def test_missing_keeps_list_order(self):
        query = lambda pkgs: deps.parse_status(DPKG_OUTPUT)  # noqa: E731
        self.assertEqual(deps.missing(("spin", "lld", "clang", "cmake", "ovmf"), query),
                         ["lld", "cmake", "ovmf"])

    def test_the_list(self):
        for pkg in ("clang", "qemu-system-x86", "grub-efi-amd64-bin", "ovmf", "spin",
                    "libclang-rt-14-dev", "acpica-tools"):
            self.assertIn(pkg, deps.PACKAGES)
        self.assertEqual(len(set(deps.PACKAGES)), len(deps.PACKAGES))


@mock.patch.object(deps, "info", lambda _message: None)
class EnsureTest(unittest.TestCase):
    def query(self, _pkgs):
        return {"clang"}

    def test_nothing_missing(self):
        self.assertEqual(deps.ensure(("clang",), self.query, is_root=False), [])

    def test_not_root_prints_exact_command(self):
        with self.assertRaises(AtollError) as caught:
            deps.ensure(("clang", "lld", "ovmf"), self.query, is_root=False)
        self.assertIn("\n  sudo apt-get install -y lld ovmf", str(caught.exception))

    def test_root_installs(self):
        calls = []

        def run(cmd, env, **_kw):
            calls.append((cmd, env["DEBIAN_FRONTEND"]))
            return Done()
        deps.ensure(("clang", "lld"), self.query, is_root=True, run=run)
        self.assertEqual(calls, [(["apt-get", "update"], "noninteractive"),
                                 (["apt-get", "install", "-y", "lld"], "noninteractive")])

    def test_root_install_failure(self):
        def run(cmd, env, **_kw):
            return Done(100, "E: Unable to locate package lld")
        with self.assertRaises(AtollError) as caught:
            deps.ensure(("lld",), self.query, is_root=True, run=run)
        self.assertIn("Unable to locate", caught.exception.detail)


if __name__ == "__main__":
    unittest.main()
