from zkaid.cli import main

main()
