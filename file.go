package microfn

// A File is a file a service takes or returns: its name, the media type
// of its content, and the content.
//
// A parameter of type File (or []byte) is a part of a multipart/form-data
// upload, named after the parameter: File gets the part's file name and
// content type. A service whose result is a File answers with the file
// itself: Data as the body, ContentType as its Content-Type (sniffed from
// Data when empty) and Name in a Content-Disposition attachment. In JSON
// (a POST body, a nested call), a File is the object {"name": …,
// "contentType": …, "data": BASE64}.
type File struct {
	// Name is the file's name, without a directory: "report.pdf".
	Name string `json:"name"`
	// ContentType is the media type of Data: "application/pdf".
	ContentType string `json:"contentType"`
	// Data is the file's content.
	Data []byte `json:"data"`
}
