from writer.cli import main

main()
