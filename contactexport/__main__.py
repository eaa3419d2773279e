from contactexport.cli import main

main()
