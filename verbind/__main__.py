from verbind.cli import main

main()
