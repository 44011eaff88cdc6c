module github.com/microfn/microfn

go 1.26.8

require github.com/sethvargo/go-retry v0.5.0
