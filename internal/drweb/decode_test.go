package drweb

import (
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

func response(body string) *client.Response {
	return &client.Response{StatusCode: 200, Header: http.Header{}, Body: []byte(body)}
}

func ptr[T any](v T) *T { return &v }

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeVendorXMLSample(t *testing.T) {
	t.Parallel()
	doc, err := decode(response(mustRead(t, "testdata/vendor-info.xml")))
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "http://192.168.1.1:9080/download/download.ds?"
	const gid = "group-id=80cb36ea-51a1-e411-1a8f-a812b90b705f"
	want := Group{
		ID: "123123123", Name: "TEST-GROUP", Type: 0,
		Created: "2014-03-13T10:25:31Z", Modified: "2014-03-13T10:25:31Z",
		ChildGroups: 0, Stations: 1,
		Rights: Rights{
			Inheritance: Inheritance{Inherited: ptr(true), InheritedGroupID: "20e27d73-d21d-b211-a788-85419c46f0e6", InheritedGroupName: "Everyone"},
			Items: []Right{
				{1, "Run Dr.Web Scanner for Windows", 1}, {2, "Start SpIDer Guard for Windows XP", 1}, {93, "", 1}, {94, "", 1},
			},
		},
		Keys: Keys{
			Inheritance: Inheritance{Inherited: ptr(true), InheritedGroupID: "20e27d73-d21d-b211-a788-85419c46f0e6", InheritedGroupName: "Everyone"},
			IDs:         []string{"22be0dead6fce942-0cb7d1ec6596a783"},
		},
		Packages: []Package{
			{"android", "all", pkg + "os=android&" + gid},
			{"macosx", "all", pkg + "os=macosx&" + gid},
			{"linux", "x86_64", pkg + "os=linux&arch=x86_64&" + gid},
			{"linux", "x86", pkg + "os=linux&arch=x86&" + gid},
			{"windows", "all", pkg + "os=windows&" + gid},
		},
	}
	if !doc.Status || len(doc.Groups) != 1 || !reflect.DeepEqual(doc.Groups[0], want) {
		t.Fatalf("got  %+v\nwant %+v", doc.Groups, want)
	}
}

func TestDecodeVendorJSONSample(t *testing.T) {
	t.Parallel()
	doc, err := decode(response(mustRead(t, "testdata/vendor-info.json")))
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "http://192.168.1.1:9080/download/download.ds?group-id=20e27d73-d21d-b211-a788-85419c46f0e6&os="
	want := Group{
		ID: "20e27d73-d21d-b211-a788-85419c46f0e6", Name: "Everyone", Description: "All stations", Type: 1,
		Created: "2014-09-19T09:34:26Z", Modified: "2014-09-19T09:34:26Z",
		HasPersonalSettings: ptr(true),
		Rights: Rights{Inheritance: Inheritance{Inherited: ptr(false)}, Items: []Right{
			{1, "Run Dr.Web Scanner for Windows", 1}, {2, "Start SpIDer Guard for Windows XP", 1}, {82, "Edit Dr.Web Cloud Checker for Android configuration", 1},
		}},
		Keys:     Keys{Inheritance: Inheritance{Inherited: ptr(false)}, IDs: []string{"2e2522cc3ba5062f-aed721bcef305d0e"}},
		Packages: []Package{{"android", "all", pkg + "android"}, {"windows", "all", pkg + "windows"}},
	}
	if !doc.Status || len(doc.Groups) != 1 || !reflect.DeepEqual(doc.Groups[0], want) {
		t.Fatalf("got  %+v\nwant %+v", doc.Groups[0], want)
	}
}

func TestDecodeNormalises(t *testing.T) {
	t.Parallel()
	doc, err := decode(response(`<drweb-es-api status="true"><groups total="1">
	<group id="g1" name="N" parent_id="none" parent_name="none" created="" modified="0" type="0">
	<rights inherited="false" inherited_group_id="none" inherited_group_name="none"/>
	<keys />
	<packages/>
	<child-groups/>
	<stations></stations>
	</group></groups></drweb-es-api>`))
	if err != nil {
		t.Fatal(err)
	}
	want := Group{ID: "g1", Name: "N",
		Rights: Rights{Inheritance: Inheritance{Inherited: ptr(false)}, Items: []Right{}},
		Keys:   Keys{IDs: []string{}}, Packages: []Package{}}
	if !reflect.DeepEqual(doc.Groups[0], want) {
		t.Fatalf("got  %+v\nwant %+v", doc.Groups[0], want)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ body, code, msg string }{
		"xml":           {`<?xml version="1.0"?><drweb-avdesk-api status="false"><error><errno>36</errno><message>Operation not allowed on a system group</message></error></drweb-avdesk-api>`, "36", "Operation not allowed on a system group"},
		"xml ess root":  {`<drweb-es-api status="false"><error><errno>8</errno><message>Group x not found</message></error></drweb-es-api>`, "8", "Group x not found"},
		"json top":      {`{"head":{"status":false},"error":{"code":8,"message":"Group x not found"}}`, "8", "Group x not found"},
		"json in head":  {`{"head":{"status":false,"error":{"code":"36","message":"no"}}}`, "36", "no"},
		"json no block": {`{"head":{"status":false}}`, "", ""},
	} {
		doc, err := decode(response(tc.body))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if doc.Status || doc.ErrCode != tc.code || doc.ErrMessage != tc.msg {
			t.Errorf("%s: got status %v, %q, %q", name, doc.Status, doc.ErrCode, doc.ErrMessage)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"<html><body>502 Bad Gateway</body></html>": "expected a JSON or XML body, got an HTML page",
		"":                          "expected a JSON or XML body, got an empty body",
		"Internal error":            "got a body that is neither JSON nor XML",
		`{"head":`:                  "the JSON body does not match the documented format",
		`<drweb-avdesk-api status=`: "the XML body does not match the documented format",
		`<rss version="2.0"/>`:      "the XML root element is <rss>, not a Dr.Web API answer",
		`{"data":{"groups":{"list":[{"id":{"x":1}}]}}}`: "the JSON body does not match the documented format",
	} {
		if _, err := decode(response(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decode(%q) = %v, want %q", body, err, want)
		}
	}
}

func TestDecodeWarnsAndPassesThrough(t *testing.T) {
	t.Parallel()
	doc, err := decode(response(`{"data":{"groups":{"list":[{"id":"g","name":"n","created_time":"yesterday","stations":"many"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Groups[0].Created != "yesterday" || doc.Groups[0].Stations != 0 || len(doc.Warnings) != 2 {
		t.Fatalf("got %+v, warnings %v", doc.Groups[0], doc.Warnings)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(mustReadF(f, "testdata/vendor-info.json"))
	f.Add(`{"head":{"status":false},"error":{"code":8,"message":"x"}}`)
	f.Add(`{"data":{"groups":{"list":[{"id":1,"permissions":{"list":[{"right":"1"}]},"keys":{"list":[1]}}]}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		if client.SniffBody([]byte(body)) != client.BodyJSON {
			return
		}
		doc, err := decodeJSON(response(body))
		if err == nil && doc == nil {
			t.Fatal("no document and no error")
		}
	})
}

func FuzzDecodeXML(f *testing.F) {
	f.Add(mustReadF(f, "testdata/vendor-info.xml"))
	f.Add(`<drweb-es-api status="false"><error><errno>36</errno><message>m</message></error></drweb-es-api>`)
	f.Add(`<drweb-avdesk-api status="true"><groups><group id="a"><child-groups>3</child-groups></group></groups></drweb-avdesk-api>`)
	f.Fuzz(func(t *testing.T, body string) {
		if client.SniffBody([]byte(body)) != client.BodyXML {
			return
		}
		doc, err := decodeXML(response(body))
		if err == nil && doc == nil {
			t.Fatal("no document and no error")
		}
	})
}

func mustReadF(f *testing.F, name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

// The components block as the vendor prints it (XML, ESS 12/13), and the
// same block in a JSON answer, read the way rights are.
func TestDecodeComponents(t *testing.T) {
	t.Parallel()
	want := &Components{
		Inheritance: Inheritance{Inherited: ptr(true), InheritedGroupID: "20e27d73-d21d-b211-a788-85419c46f0e6", InheritedGroupName: "Everyone"},
		Items:       []Component{{4, "Dr.Web Scanner for Windows", 1}, {30, "Dr.Web Agent for Windows", 2}, {105, "", 0}},
	}
	cases := map[string]string{
		"xml": `<drweb-es-api api_version="4.3.0" status="true"><groups total="1"><group id="g1" name="G">
<components inherited="true" inherited_group_id="20e27d73-d21d-b211-a788-85419c46f0e6" inherited_group_name="Everyone">
<component code="4" name="Dr.Web Scanner for Windows" status="1"/><component code="30" name="Dr.Web Agent for Windows" status="2"/><component code="105" name="" status="0"/>
</components><stations>0</stations></group></groups></drweb-es-api>`,
		"json": `{"head":{"status":true},"data":{"groups":{"total":1,"list":[{"id":"g1","name":"G","components":{"inherited":true,
"inherited_group_id":"20e27d73-d21d-b211-a788-85419c46f0e6","inherited_group_name":"Everyone",
"list":[{"code":4,"name":"Dr.Web Scanner for Windows","status":1},{"component":"30","name":"Dr.Web Agent for Windows","status":"2"},{"code":105,"name":"","status":0}]}}]}}}`,
	}
	for name, body := range cases {
		doc, err := decode(response(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := doc.Groups[0].Components; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	// No block: nil, not an empty policy.
	doc, err := decode(response(mustRead(t, "testdata/vendor-info.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Groups[0].Components != nil {
		t.Errorf("an answer without components gave %+v", doc.Groups[0].Components)
	}
}
