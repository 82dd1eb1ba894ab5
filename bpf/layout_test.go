//go:build linux

package bpf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestLayoutMatchesBTF checks that the Go structs mirroring C structs have
// the offsets and sizes the compiled object's BTF says (as tetragon's
// alignchecker does): a field added on one side only, or padding the
// compiler inserted, fails here instead of corrupting events.
func TestLayoutMatchesBTF(t *testing.T) {
	spec, err := loadTracer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c      string
		goType any
		prefix bool // the C struct continues past the Go one (event's data)
	}{
		{"event", rawHeader{}, true},
		{"ext_key", ExtKey{}, false},
		{"name_key", NameKey{}, false},
		{"endpoint_key", EndpointKey{}, false},
		{"fold_key", FoldKey{}, false},
		{"fold", Fold{}, false},
	} {
		t.Run(tc.c, func(t *testing.T) {
			var st *btf.Struct
			if err := spec.Types.TypeByName(tc.c, &st); err != nil {
				t.Fatalf("struct %s in BTF: %v", tc.c, err)
			}
			gt := reflect.TypeOf(tc.goType)
			members := st.Members
			if tc.prefix {
				if len(members) != gt.NumField()+1 || members[len(members)-1].Name != "data" {
					t.Fatalf("struct %s has %d members, Go %s has %d fields plus data", tc.c, len(members), gt.Name(), gt.NumField())
				}
				if off := members[len(members)-1].Offset.Bytes(); int(off) != int(gt.Size()) {
					t.Errorf("data starts at %d, Go header is %d bytes", off, gt.Size())
				}
				members = members[:len(members)-1]
			} else if int(st.Size) != int(gt.Size()) {
				t.Errorf("size: C %d, Go %d", st.Size, gt.Size())
			}
			if len(members) != gt.NumField() {
				t.Fatalf("C %d members, Go %d fields", len(members), gt.NumField())
			}
			for i, m := range members {
				f := gt.Field(i)
				if norm(m.Name) != norm(f.Name) {
					t.Errorf("member %d: C %s, Go %s", i, m.Name, f.Name)
				}
				size, err := btf.Sizeof(m.Type)
				if err != nil {
					t.Fatal(err)
				}
				if int(m.Offset.Bytes()) != int(f.Offset) || size != int(f.Type.Size()) {
					t.Errorf("%s.%s: C offset %d size %d, Go offset %d size %d", tc.c, m.Name, m.Offset.Bytes(), size, f.Offset, f.Type.Size())
				}
			}
		})
	}
	for name, want := range map[string]uintptr{
		tracerMapOpenExts:  reflect.TypeOf(ExtKey{}).Size(),
		tracerMapExecNames: reflect.TypeOf(NameKey{}).Size(),
		tracerMapEndpoints: reflect.TypeOf(EndpointKey{}).Size(),
		tracerMapFolds:     reflect.TypeOf(FoldKey{}).Size(),
	} {
		if got := spec.Maps[name].KeySize; uintptr(got) != want {
			t.Errorf("map %s key size %d, Go key %d", name, got, want)
		}
	}
	if got, want := spec.Maps[tracerMapFolds].ValueSize, reflect.TypeOf(Fold{}).Size(); uintptr(got) != want {
		t.Errorf("map folds value size %d, Go value %d", got, want)
	}
}

func norm(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
