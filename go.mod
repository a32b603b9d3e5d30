module github.com/primebench/primebench

go 1.26.8
