package sim

import (
	"encoding/json"
	"testing"
)

func TestPHPJSONEscapesLikeWordPress(t *testing.T) {
	in := map[string]string{"url": "https://shop.example/a", "name": "Jürgen <b>&", "emoji": "😀"}
	got, err := phpJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"emoji":"\ud83d\ude00","name":"J\u00fcrgen <b>&","url":"https:\/\/shop.example\/a"}`
	if string(got) != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["name"] != in["name"] || back["emoji"] != in["emoji"] || back["url"] != in["url"] {
		t.Errorf("round trip %v, %v", back, err)
	}
}
