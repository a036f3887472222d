package wire

// The generated code is committed: building dusk needs no code generator.
// To regenerate it (protoc 3.21, and the generators at the versions named
// in the generated files' headers: go install
// google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12,
// google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2 and
// github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto@v0.6.1-0.20240319094008-0393e58bdf10):
//
//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative pb/dusk.proto
//go:generate protoc --go-vtproto_out=. --go-vtproto_opt=paths=source_relative,features=marshal+unmarshal+size pb/dusk.proto
