from innograph.cli import run

run()
