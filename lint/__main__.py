from multus_lint.cli import console

console()
