/** Values shared by every layer: operating errors as typed values with a code. */
package creditline.common;
