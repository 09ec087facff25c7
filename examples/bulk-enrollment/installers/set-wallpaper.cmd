@echo off
rem Example provisioning command: copies the branch wallpaper.
copy /y wallpaper.png "%PUBLIC%\Pictures\cts-wallpaper.png"
exit /b 0
