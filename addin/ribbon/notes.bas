Attribute VB_Name = "DyxxNotes"
' Notes for the dyxx check button, written and read in batches (one Application.Run per batch
' instead of several COM calls per cell). Imported into dyxx.xlam by `dyxx addin install`;
' called by addin/ribbon/desktop.py. Without it the button writes notes one by one.
Option Explicit

' Set each cell's note to its text; "" deletes the note. Returns the number of cells.
Public Function DyxxWriteNotes(bookName As String, sheetName As String, _
                               addresses As Variant, texts As Variant) As Long
    Dim ws As Object, c As Object, i As Long
    Set ws = Workbooks(bookName).Worksheets(sheetName)
    For i = LBound(addresses) To UBound(addresses)
        Set c = ws.Range(addresses(i))
        If CStr(texts(i)) = "" Then
            If Not c.Comment Is Nothing Then c.Comment.Delete
        ElseIf c.Comment Is Nothing Then
            c.AddComment CStr(texts(i))
        Else
            c.Comment.Text Text:=CStr(texts(i))
        End If
    Next i
    DyxxWriteNotes = UBound(addresses) - LBound(addresses) + 1
End Function

' The note text of each cell (Empty where it has none).
Public Function DyxxReadNotes(bookName As String, sheetName As String, _
                              addresses As Variant) As Variant
    Dim ws As Object, c As Object, i As Long, result() As Variant
    Set ws = Workbooks(bookName).Worksheets(sheetName)
    ReDim result(LBound(addresses) To UBound(addresses))
    For i = LBound(addresses) To UBound(addresses)
        Set c = ws.Range(addresses(i))
        If Not c.Comment Is Nothing Then result(i) = c.Comment.Text
    Next i
    DyxxReadNotes = result
End Function
